"""EDI channels: the X12 and EDIFACT syntax layers and the documents written in them."""
