"""Impact reports: realised (recorded deliveries) and potential (optimised allocation)."""
