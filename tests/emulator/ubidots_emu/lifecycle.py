# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Create and delete endpoints (issue 13) and memberships (issue 14): a mixin of the Api."""

from __future__ import annotations

from .common import ERR_BULK_HEADER, ERR_NOT_FOUND, Invalid, invalid


class Lifecycle:
    """POST /users/, POST /organizations/, bulk create / delete, DELETE one, assign / remove_organizations."""

    def _create_one(self, kind, headers, raw, base):
        """POST /users/ or /organizations/ (fact, reference): 201 with the object (status code: assumption)."""
        status, body = self._json_body(headers, raw)
        if status:
            return status, body, None
        with self._lock:
            store = self._store
            try:
                values = store.validate_create(kind, [body])[0]
            except Invalid as exc:
                detail = exc.errors
                return invalid(detail.get("0", detail) if isinstance(detail, dict) else detail)
            rec = store.create(kind, values)
            return 201, store.render(kind, rec, base, self._fields([], kind)), None

    def _delete_one(self, kind, key):
        """DELETE /users/<key> (fact, 204) or /organizations/<key>/ (client code: 200 or 204; we answer 204)."""
        with self._lock:
            obj_id = self._store.find(kind, key)
            if obj_id is None:
                return 404, ERR_NOT_FOUND, None
            self._store.delete(kind, obj_id)
        return 204, None, None

    def _bulk_lifecycle(self, what, headers, raw):
        """POST /organizations/_/bulk/create/ and .../bulk/delete/ (facts: bulk header, a task id answer)."""
        if (headers.get("X-Bulk-Operation") or "").strip().lower() != "true":
            return 400, ERR_BULK_HEADER, None
        status, body = self._json_body(headers, raw)
        if status:
            return status, body, None
        with self._lock:
            store = self._store
            try:
                if what == "bulk_create":
                    task_id = self._schedule(store.create_all, "organizations", store.validate_create("organizations", body))
                else:
                    task_id = self._schedule(store.delete_all, "organizations", store.validate_delete(body))
            except Invalid as exc:
                return invalid(exc.errors)
        return 200, {"task": {"id": task_id}}, None

    def _memberships(self, what, key, headers, raw, base):
        """POST /users/<key>/_/assign_organizations/ (fact) or remove_organizations/ (client code only).

        No bulk header (fact for assign). Applied at once (assumption). Answers 200 (assumption) with the paginated
        list of the user's organizations (fact for assign, assumption for remove), all in one page (assumption).
        """
        status, body = self._json_body(headers, raw)
        if status:
            return status, body, None
        with self._lock:
            store = self._store
            user_id = store.find_user(key)
            if user_id is None:
                return 404, ERR_NOT_FOUND, None
            rec = store.users[user_id]
            remove = what == "remove_organizations"
            try:
                pairs = store.validate_memberships(rec, body, remove=remove)
            except Invalid as exc:
                return invalid(exc.errors)
            (store.unassign if remove else store.assign)(rec, pairs)
            results = store.render_memberships(rec, base)
        return 200, {"count": len(results), "next": None, "previous": None, "results": results}, None
