"""Every write: load rows, apply workflows, persist (flush only), audit, queue tasks after
commit. The view commits once per request."""
