"""The Twilio voice channel: connections, the door to Twilio's REST API, TwiML and webhooks."""
