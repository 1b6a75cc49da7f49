"""Loading for pages: one object through the user's scope or 404, and one page of rows.

Every loader takes a select that already limits rows to what the user may see (from
:mod:`mkr_web.queries`), so another tenant's or scope's object is 404, never 403."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from flask_sqlalchemy.pagination import Pagination, SelectPagination

from ..extensions import db
from ..queries.reference import rows_in_tenant

PER_PAGE = 50


def one_or_404(query: sa.Select):
    """The one row ``query`` selects, else 404."""
    obj = db.session.execute(query).scalar_one_or_none()
    if obj is None:
        abort(404)
    return obj


def by_id_or_404(scope: sa.Select, model, object_id: int):
    """The ``model`` row ``object_id`` within ``scope`` (a select of ``model``), else 404."""
    return one_or_404(scope.where(model.id == object_id))


def paginate(query: sa.Select, per_page: int = PER_PAGE, **kwargs) -> Pagination:
    """One page of ``query`` (``?page=`` from the request; a page past the end is empty)."""
    return db.paginate(query, per_page=per_page, error_out=False, **kwargs)


class _RowsPagination(SelectPagination):
    """A page of rows (not entities), turned into items by ``load``."""

    def _query_items(self) -> list:
        select = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        return self._query_args["load"](self._query_args["session"].execute(select).all())


def paginate_rows(query: sa.Select, load, per_page: int = PER_PAGE) -> Pagination:
    """One page of ``query``'s rows (``?page=`` from the request), each page's rows passed to
    ``load`` (rows -> items): for a select of keys, e.g. a UNION ALL over two tables."""
    return _RowsPagination(
        select=query, session=db.session, load=load, per_page=per_page, error_out=False
    )


def all_in_tenant_or_404(model, ids, tenant_id: int) -> list:
    """Every ``model`` row of ``ids`` (falsy ids skipped) in the tenant; 404 if one is not."""
    wanted = {i for i in ids or [] if i}
    rows = rows_in_tenant(model, wanted, tenant_id)
    if len(rows) != len(wanted):
        abort(404)
    return rows


def keyset(query: sa.Select, model, after: int, limit: int) -> list:
    """Up to ``limit + 1`` rows of ``query`` with ``model.id > after``, by id (the API's cursor
    pages: one row more than asked says whether there is a next page)."""
    return list(
        db.session.scalars(
            query.where(model.id > after).order_by(None).order_by(model.id).limit(limit + 1)
        ).unique()
    )
