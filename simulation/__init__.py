"""What-if: a district's school year run on its real deciders, without an engine (issue 12).

Pure, like ``domain/``: no I/O and no clock; the start instant, the end instant
and a seeded ``random.Random`` come in as arguments. ``engine`` drives the
rollout, school and team deciders the way their workflows do (the same
commands at the same timer instants, the same signals between levels);
``people`` plays the humans from a ``behaviour`` model; ``metrics`` turns the
domain events into what a district admin plans with.
"""
