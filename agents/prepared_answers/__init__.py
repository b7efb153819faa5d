"""Prepared answers: replies made while the caller is still speaking (from partial speech) or
after they finished, by a background job, and picked up by whichever request serves the turn.

Channel-agnostic; a channel calls three functions and speaks its own hold in between:

- `partial_speech.consider_partial`: a partial result; prepares an answer once it is stable.
- `reply_pickup.answer_final` / `reply_pickup.pick_up`: the final result's reply, or None
  while it is not ready (the channel then holds the caller and asks again).
- `claims.discard_turn`: the turn is answered; its other preparations go.

Inside: `models` (the PreparedAnswer row), `claims` (which row serves a final result; the
agent's hit and miss counters), `background` (where the job runs: Celery or a thread pool),
`tasks` (the Celery task), `preparation` (the job: asking the engine for the reply).
Nothing is kept in process memory, so each request of a turn may land on another worker.
"""
