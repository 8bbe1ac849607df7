"""`cascade serve`: the web app with the one-click link pages."""
