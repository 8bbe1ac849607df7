"""`cascade dispatch` and `cascade outbox`: draining and inspecting the mail outbox."""
