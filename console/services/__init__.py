"""Domain rules: every check the product makes lives here, with no UI import."""
