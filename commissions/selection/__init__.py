"""Selection: the portfolio optimiser (portfolio.py), its runs, confirmation and export."""
