"""Token layer: storage, inspection, generation and redaction. Never imports textual."""
