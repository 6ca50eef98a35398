"""Pictures for the chat, drawn with matplotlib (Agg, no display); layouts only — what they show
is worked out in core/."""
