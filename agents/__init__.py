"""AI agents: greeting, conversation engine, channel attachments, Start/Stop and logs."""
