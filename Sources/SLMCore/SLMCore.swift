// SLMCore module.
