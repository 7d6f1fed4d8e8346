-- plcflow's event store lives beside Temporal's own databases; the worker
-- applies its schema migrations at start-up.
CREATE DATABASE plcflow;
