"""A call simulator: Twilio's side of a call, played over real HTTP against the portal's webhooks.

It signs every request as Twilio does (over the public URL, with the account's Auth Token),
sends the call webhook with Twilio's parameters, follows the TwiML it gets back (Say, Gather,
Redirect, Pause, Hangup, Reject), sends partial speech results word by word before each final
result, and the status callbacks; it refuses TwiML Twilio would refuse and says why.

- `call.CallState`: the call as Twilio knows it (plain data, storable between requests)
- `script`: what Twilio does next (`ring_inbound`, `ring_outbound`, `speak`, `stay_silent`, `hang_up`)
- `drivers`: run a script over HTTP, blocking (`SyncDriver`) or on asyncio (`AsyncDriver`)
- `twiml_rules`: reads an answer as Twilio does (`TwimlRefused`)
- `lines`: the portal's side (which line rings, the signing token, outbound sessions); needs Django

Nothing here but `lines` imports Django, so a load generator can use the rest on its own.
"""
