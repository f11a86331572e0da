// Classifier module.
