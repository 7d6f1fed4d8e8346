"""Ending a process that used the Temporal client.

The client's native threads can abort CPython's interpreter teardown
("PyGILState_Release ... finalizing", temporalio/sdk-python#300), turning a
finished program into exit 134. Every entry point ends here instead: flush,
then leave without teardown.
"""

import os
import sys


def exit_now(code: int = 0) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
