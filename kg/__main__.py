"""`python -m kg` runs the command line (the same as the `kg` script)."""
from kg.surfaces.cli import main

if __name__ == "__main__":
    main()
