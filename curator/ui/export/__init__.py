"""Sending photos out of the window: File ▸ Export… (the dialog, its remembered
choices, its sentences and the controller that runs `curator.export` off the
UI thread) and the client galleries (File ▸ Client Gallery…, Serve Client
Gallery…, Import and Paste Client Selection: `client_actions`, the make dialog
`client_gallery`, its jobs `client_work`, the serve window `client_serve`,
their sentences `client_text`), which run `curator.proof` the same way."""
