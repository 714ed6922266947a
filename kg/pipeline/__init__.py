"""Pipeline: compose the sources of a profile, load their records into a store, rebuild safely."""
