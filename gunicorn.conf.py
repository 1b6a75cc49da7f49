"""gunicorn settings read from the working directory (``gunicorn 'mkr_web:create_app()'`` run
from the project root, as in the Dockerfile, docker-compose.yml and the bench).

Only what the command line does not say: the worker count stays on the command line
(``-w``, see README "Production").

Garbage collection (issue 14): once a worker has imported the app, everything alive then
(Flask, SQLAlchemy's mappers and compiled-SQL cache, Babel's catalogs, Jinja's templates:
~250,000 objects) lives as long as the worker. ``gc.freeze()`` moves it out of the
collector's generations, so a full collection during a request walks that request's objects
only, not the whole app: the occasional 4–5 ms pause on a page goes. Nothing is leaked: the
frozen objects were never going to be freed.
"""

import gc


def post_worker_init(worker):  # noqa: ARG001 (gunicorn's hook signature)
    gc.collect()
    gc.freeze()
