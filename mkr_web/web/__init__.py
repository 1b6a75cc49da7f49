"""Page code shared by several role blueprints: the persons registry (``people``), events
(``events``, ``participants``), the report (``report``), the upload → preview → commit flow
(``imports``), files and certificates (``files``), job pages (``jobs``), shared forms
(``forms``), the one commit helper (``commit``) and the audit's actor (``actor``). The role
blueprints declare the routes and roles; these modules are the bodies."""
