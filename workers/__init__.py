"""Worker processes: build the Temporal client and run workflows and activities."""
