"""`python -m kg` runs the command line (the same as the `kg` script)."""
from kg.cli import main

if __name__ == "__main__":
    main()
