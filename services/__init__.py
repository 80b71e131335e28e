"""The service layer: one function per command, called by the API's routes and its pages
alike. Each authorises against the case file, checks the rules that need it, updates the
workflow, and maps what goes wrong onto a refusal with a reason (`services.errors`)."""
