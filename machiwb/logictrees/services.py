"""Writes of the logic trees: create, edit, versions, restore, import, comments, share links.

Every write runs in one transaction with its audit entry. Edits carry the revision the editor
saw; if another department saved in between, the edit is refused (no silent overwrite).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from machiwb.accounts.models import User
from machiwb.audit.services import audit_log_write
from machiwb.logictrees.document import (
    SCHEMA,
    DocumentError,
    Node,
    NodeKind,
    TreeDocument,
    document_parse,
    document_to_data,
)
from machiwb.logictrees.models import KpiCandidate, LogicTree, LogicTreeVersion, NodeComment
from machiwb.logictrees.reference import reference_tree
from machiwb.regions.models import Municipality


class StaleEditError(Exception):
    """The tree changed since the editor loaded it."""


def logictree_create(
    *,
    municipality: Municipality,
    actor: User,
    title: str,
    reference_code: str = "",
    wellbeing: str = "q1",
) -> LogicTree:
    """A new tree: a copy of a reference tree, or from scratch with only the goal node."""
    if reference_code:
        reference = reference_tree(reference_code)
        if reference is None:
            raise DocumentError(
                [_("参照ツリー「%(code)s」はありません") % {"code": reference_code}]
            )
        document = reference.document
    else:
        document = document_parse(
            document_to_data(
                TreeDocument(
                    title=title or "",
                    nodes=(Node(id="goal", kind=NodeKind.GOAL, label=title, wellbeing=wellbeing),),
                )
            )
        )
    data = document_to_data(document)
    data["title"] = title.strip() or document.title
    document_parse(data)
    with transaction.atomic():
        tree = LogicTree.objects.create(
            municipality=municipality,
            title=data["title"],
            reference_code=reference_code,
            document=data,
            created_by=actor,
        )
        audit_log_write(
            actor=actor,
            action="logictree.create",
            municipality=municipality,
            target=tree,
            summary=f"ロジックツリー「{tree.title}」を作成",
            details={"reference": reference_code or None},
        )
    return tree


def logictree_edit(
    *,
    tree: LogicTree,
    actor: User,
    revision: int,
    change: Callable[[TreeDocument], TreeDocument],
    summary: str,
) -> LogicTree:
    """Apply ``change`` (a pure edit from document.py) to the working copy.

    Raises StaleEditError when ``revision`` is not the tree's current revision and
    DocumentError when the edit would break the tree; nothing is written in either case.
    """
    with transaction.atomic():
        locked = LogicTree.objects.select_for_update().get(pk=tree.pk)
        if locked.revision != revision:
            raise StaleEditError
        document = change(document_parse(locked.document))
        locked.document = document_to_data(document)
        locked.title = document.title
        locked.revision += 1
        locked.save(update_fields=["document", "title", "revision", "updated_at"])
        audit_log_write(
            actor=actor,
            action="logictree.edit",
            municipality=locked.municipality,
            target=locked,
            summary=summary,
            details={"revision": locked.revision},
        )
    return locked


def logictree_version_save(*, tree: LogicTree, actor: User, name: str) -> LogicTreeVersion:
    """Freeze the working copy as a named version (たたき台, 第2版 …)."""
    name = name.strip()
    if not name or len(name) > 50:
        raise DocumentError([_("版の名前は1〜50文字で入力してください")])
    with transaction.atomic():
        locked = LogicTree.objects.select_for_update().get(pk=tree.pk)
        if locked.versions.filter(name=name).exists():
            raise DocumentError([_("版「%(name)s」はすでにあります") % {"name": name}])
        number = (locked.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = LogicTreeVersion.objects.create(
            tree=locked, number=number, name=name, document=locked.document, created_by=actor
        )
        audit_log_write(
            actor=actor,
            action="logictree.version_save",
            municipality=locked.municipality,
            target=locked,
            summary=f"「{locked.title}」の版 {number}「{name}」を保存",
            details={"version": number, "name": name},
        )
    return version


def logictree_version_restore(
    *, tree: LogicTree, version: LogicTreeVersion, actor: User
) -> LogicTree:
    """Make an old version the working copy again (the versions themselves stay as they are)."""
    if version.tree_id != tree.pk:
        raise ValueError("the version belongs to another tree")
    with transaction.atomic():
        locked = LogicTree.objects.select_for_update().get(pk=tree.pk)
        document = document_parse(version.document)
        locked.document = document_to_data(document)
        locked.title = document.title
        locked.revision += 1
        locked.save(update_fields=["document", "title", "revision", "updated_at"])
        audit_log_write(
            actor=actor,
            action="logictree.version_restore",
            municipality=locked.municipality,
            target=locked,
            summary=f"「{locked.title}」を版 {version.number}「{version.name}」に戻した",
            details={"version": version.number},
        )
    return locked


def logictree_import(*, tree: LogicTree, actor: User, data: object) -> LogicTree:
    """Replace the working copy with an uploaded JSON document, all or nothing."""
    document = document_parse(data)
    with transaction.atomic():
        locked = LogicTree.objects.select_for_update().get(pk=tree.pk)
        locked.document = document_to_data(document)
        locked.title = document.title
        locked.revision += 1
        locked.save(update_fields=["document", "title", "revision", "updated_at"])
        audit_log_write(
            actor=actor,
            action="logictree.import",
            municipality=locked.municipality,
            target=locked,
            summary=f"「{locked.title}」にJSONを取り込み（{len(document.nodes)}ノード）",
            details={"schema": SCHEMA, "nodes": len(document.nodes)},
        )
    return locked


def node_comment_add(*, tree: LogicTree, actor: User, node_id: str, body: str) -> NodeComment:
    body = body.strip()
    if not body or len(body) > 1000:
        raise DocumentError([_("コメントは1〜1000文字で入力してください")])
    document_parse(tree.document).node(node_id)  # KeyError for an unknown node
    with transaction.atomic():
        comment = NodeComment.objects.create(tree=tree, node_id=node_id, body=body, author=actor)
        audit_log_write(
            actor=actor,
            action="logictree.comment",
            municipality=tree.municipality,
            target=tree,
            summary=f"「{tree.title}」のノード {node_id} にコメント",
        )
    return comment


def logictree_share_set(*, tree: LogicTree, actor: User, enabled: bool) -> LogicTree:
    """Turn the read-only share link on (a new random key) or off."""
    with transaction.atomic():
        tree.share_token = uuid.uuid4() if enabled else None
        tree.save(update_fields=["share_token", "updated_at"])
        audit_log_write(
            actor=actor,
            action="logictree.share_on" if enabled else "logictree.share_off",
            municipality=tree.municipality,
            target=tree,
            summary=f"「{tree.title}」の閲覧用リンクを{'発行' if enabled else '停止'}",
        )
    return tree


def kpi_candidate_create(
    *, actor: User, code: str, name_ja: str, kind: str, unit: str = "", description: str = ""
) -> KpiCandidate:
    """Add an output or outcome KPI to the catalog of KPI candidates (運営者)."""
    candidate = KpiCandidate(
        code=code.strip(),
        name_ja=name_ja.strip(),
        kind=kind,
        unit=unit.strip(),
        description=description.strip(),
    )
    candidate.full_clean()
    with transaction.atomic():
        candidate.save()
        audit_log_write(
            actor=actor,
            action="logictree.kpi_candidate_create",
            target=candidate,
            summary=f"KPI候補「{candidate.name_ja}」を追加",
        )
    return candidate


def kpi_candidate_set_active(*, actor: User, candidate: KpiCandidate, active: bool) -> KpiCandidate:
    """Offer a KPI candidate again or withdraw it (trees that use it keep it)."""
    with transaction.atomic():
        candidate.is_active = active
        candidate.save(update_fields=["is_active", "updated_at"])
        audit_log_write(
            actor=actor,
            action="logictree.kpi_candidate_active"
            if active
            else "logictree.kpi_candidate_inactive",
            target=candidate,
            summary=f"KPI候補「{candidate.name_ja}」を{'候補に戻した' if active else '候補から外した'}",
        )
    return candidate
