"""The strawberry schema portals and buyers query."""
