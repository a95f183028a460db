"""`make bench`: build the site at growing sizes of synthetic data and check it against the performance targets."""
