"""`cascade sweep` and `cascade digest`: chasing what is due and late."""
