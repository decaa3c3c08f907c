"""Sources: everything that turns outside data into the export (the agency template, UNODC
GLOTIP, the synthetic demonstration generator). They write through the store, nothing else."""
