"""Intent classifiers measured by `assistant eval nlu` (CLINC150, BANKING77); not used to answer staff."""
