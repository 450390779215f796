"""Staff pages of the logic trees (ロジックツリー) and the read-only share view."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from machiwb.accounts.access import access_municipality_for_staff, has_role
from machiwb.accounts.decorators import operator_required, staff_required
from machiwb.accounts.models import Role, User
from machiwb.logictrees.document import (
    ALLOWED_PARENTS,
    KIND_LABELS,
    DocumentError,
    LinkType,
    NodeKind,
    NodeKpi,
    TreeDocument,
    document_diff,
    document_parse,
    document_to_data,
    kpi_remove,
    kpi_set,
    link_add,
    link_remove,
    node_add,
    node_delete,
    node_reorder,
    node_update,
)
from machiwb.logictrees.models import KpiCandidate, KpiKind, LogicTree
from machiwb.logictrees.reference import reference_tree, reference_trees
from machiwb.logictrees.render import ImageFormat, tree_image
from machiwb.logictrees.selectors import (
    kpi_catalog,
    kpi_current_values,
    kpi_shown,
    logictree_get,
    logictree_list,
    logictree_shared,
    staff_municipalities,
    tree_document,
    version_list,
    wellbeing_choices,
)
from machiwb.logictrees.services import (
    StaleEditError,
    kpi_candidate_create,
    kpi_candidate_set_active,
    logictree_create,
    logictree_edit,
    logictree_import,
    logictree_share_set,
    logictree_version_restore,
    logictree_version_save,
    node_comment_add,
)
from machiwb.regions.models import Municipality

MAX_IMPORT_BYTES = 1_000_000
IMAGE_TYPES = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
IMAGE_FORMATS: dict[str, ImageFormat] = {"png": "png", "svg": "svg", "pdf": "pdf"}


def _version_label(number: int, name: str) -> str:
    return _("版 %(number)s「%(name)s」") % {"number": number, "name": name}


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - staff_required ran first
    return user


def _tree(request: HttpRequest, code: str, tree_id: str) -> tuple[Municipality, LogicTree]:
    municipality = access_municipality_for_staff(user=_user(request), municipality_code=code)
    tree = logictree_get(municipality=municipality, public_id=tree_id)
    if tree is None:
        raise Http404
    return municipality, tree


def _can_edit(request: HttpRequest, municipality: Municipality) -> bool:
    return has_role(user=_user(request), municipality=municipality, minimum=Role.EDITOR)


def _tree_url(tree: LogicTree) -> str:
    return reverse("logictrees:tree", args=[tree.municipality_id, tree.public_id])


def _number(raw: str, label: str) -> float | None:
    raw = raw.strip().replace(",", "")
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise DocumentError(
            [_("%(field)s「%(value)s」は数値で入力してください") % {"field": label, "value": raw}]
        ) from None


def _year(raw: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise DocumentError(
            [_("目標年度「%(value)s」は西暦4桁で入力してください") % {"value": raw}]
        )
    return int(raw)


def _apply(
    request: HttpRequest,
    tree: LogicTree,
    change: Callable[[TreeDocument], TreeDocument],
    summary: str,
    success: str,
) -> bool:
    """Run one edit through the service and report the outcome as a message."""
    try:
        revision = int(request.POST.get("revision", ""))
    except ValueError:
        revision = -1
    try:
        logictree_edit(
            tree=tree, actor=_user(request), revision=revision, change=change, summary=summary
        )
    except StaleEditError:
        messages.error(
            request,
            _(
                "ほかの人が先にこのツリーを更新しました。最新の内容を確認してから、もう一度操作してください。"
            ),
        )
        return False
    except DocumentError as exc:
        messages.error(request, _("変更できませんでした：") + "／".join(exc.problems))
        return False
    messages.success(request, success)
    return True


# --- list and create ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_required
def tree_list(request: HttpRequest, code: str) -> HttpResponse:
    municipality = access_municipality_for_staff(user=_user(request), municipality_code=code)
    can_edit = _can_edit(request, municipality)
    if request.method == "POST":
        if not can_edit:
            raise Http404
        title = request.POST.get("title", "").strip()
        reference = request.POST.get("reference", "")
        try:
            if not title:
                raise DocumentError([_("ツリーの名前を入力してください")])
            tree = logictree_create(
                municipality=municipality,
                actor=_user(request),
                title=title,
                reference_code=reference,
                wellbeing=request.POST.get("wellbeing", "q1"),
            )
        except DocumentError as exc:
            messages.error(request, _("作成できませんでした：") + "／".join(exc.problems))
            return redirect("logictrees:list", code=municipality.code)
        messages.success(
            request, _("ロジックツリー「%(title)s」を作成しました。") % {"title": tree.title}
        )
        return HttpResponseRedirect(_tree_url(tree))
    context = {
        "nav_section": "logictrees",
        "municipality": municipality,
        "trees": logictree_list(municipality=municipality),
        "references": reference_trees(),
        "wellbeing_choices": wellbeing_choices(),
        "can_edit": can_edit,
    }
    return render(request, "logictrees/tree_list.html", context)


@require_GET
@staff_required
def reference_image(request: HttpRequest, code: str, reference: str) -> HttpResponse:
    access_municipality_for_staff(user=_user(request), municipality_code=code)
    tree = reference_tree(reference)
    if tree is None:
        raise Http404
    return HttpResponse(
        tree_image(tree.document, "png", subtitle=_("参照ツリー")), content_type="image/png"
    )


# --- one tree -------------------------------------------------------------------------------


def _tree_context(
    municipality: Municipality, tree: LogicTree, document: TreeDocument
) -> dict[str, Any]:
    refs = [k.ref for n in document.nodes for k in n.kpis]
    current = kpi_current_values(municipality=municipality, refs=refs)
    options = kpi_catalog() if refs else []
    comments: dict[str, int] = {}
    for comment in tree.comments.all():
        comments[comment.node_id] = comments.get(comment.node_id, 0) + 1
    rows = [
        {
            "node": node,
            "depth": depth,
            "kind_label": KIND_LABELS[node.kind],
            "kpis": [
                (k, label, current.get(k.ref), unit)
                for k, label, unit in kpi_shown(node.kpis, options)
            ],
            "comments": comments.get(node.id, 0),
        }
        for node, depth in document.walk()
    ]
    labels = {n.id: n.label for n in document.nodes}
    links = [(li, labels[li.source], labels[li.target]) for li in document.links]
    return {"rows": rows, "document": document, "links": links}


@require_http_methods(["GET", "POST"])
@staff_required
def tree_detail(request: HttpRequest, code: str, tree_id: str) -> HttpResponse:
    municipality, tree = _tree(request, code, str(tree_id))
    can_edit = _can_edit(request, municipality)
    if request.method == "POST":
        if not can_edit:
            raise Http404
        _tree_action(request, tree)
        return HttpResponseRedirect(_tree_url(tree))
    document = tree_document(tree)
    context = {
        "nav_section": "logictrees",
        "municipality": municipality,
        "tree": tree,
        "versions": version_list(tree=tree),
        "can_edit": can_edit,
        "link_types": [(LinkType.CONTRIBUTES, _("寄与")), (LinkType.SYNERGY, _("相乗効果"))],
        "share_url": (
            request.build_absolute_uri(reverse("logictrees:shared", args=[tree.share_token]))
            if tree.share_token
            else ""
        ),
        **_tree_context(municipality, tree, document),
    }
    return render(request, "logictrees/tree_detail.html", context)


def _tree_action(request: HttpRequest, tree: LogicTree) -> None:
    action = request.POST.get("action", "")
    post = request.POST
    actor = _user(request)
    if action in ("link_add", "link_remove"):
        try:
            link_type = LinkType(post.get("type", ""))
        except ValueError:
            messages.error(request, _("つながりの種類を選んでください。"))
            return
        source, target = post.get("source", ""), post.get("target", "")
        if action == "link_add":
            _apply(
                request,
                tree,
                lambda d: link_add(d, source=source, target=target, link_type=link_type),
                f"つながり {source}→{target} を追加",
                _("つながりを追加しました。"),
            )
        else:
            _apply(
                request,
                tree,
                lambda d: link_remove(d, source=source, target=target, link_type=link_type),
                f"つながり {source}→{target} を削除",
                _("つながりを削除しました。"),
            )
    elif action == "title":
        title = post.get("title", "").strip()
        _apply(
            request,
            tree,
            lambda d: document_parse({**document_to_data(d), "title": title}),
            f"名称を「{title}」に変更",
            _("名称を変更しました。"),
        )
    elif action == "version_save":
        try:
            version = logictree_version_save(tree=tree, actor=actor, name=post.get("name", ""))
        except DocumentError as exc:
            messages.error(request, _("保存できませんでした：") + "／".join(exc.problems))
            return
        messages.success(
            request,
            _("版 %(number)s「%(name)s」として保存しました。")
            % {"number": version.number, "name": version.name},
        )
    elif action == "version_restore":
        number = post.get("number", "")
        old = tree.versions.filter(number=int(number)).first() if number.isdigit() else None
        if old is None:
            raise Http404
        logictree_version_restore(tree=tree, version=old, actor=actor)
        messages.success(
            request,
            _("版 %(number)s「%(name)s」の内容に戻しました。")
            % {"number": old.number, "name": old.name},
        )
    elif action == "import":
        upload = request.FILES.get("file")
        if upload is None or upload.size is None or upload.size > MAX_IMPORT_BYTES:
            messages.error(request, _("取り込むJSONファイル（1MBまで）を選んでください。"))
            return
        try:
            data = json.loads(upload.read().decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            messages.error(request, _("JSONとして読めませんでした：%(error)s") % {"error": exc})
            return
        try:
            logictree_import(tree=tree, actor=actor, data=data)
        except DocumentError as exc:
            messages.error(
                request,
                _("取り込めませんでした（何も変更していません）：") + "／".join(exc.problems),
            )
            return
        messages.success(request, _("JSONを取り込みました。"))
    elif action in ("share_on", "share_off"):
        logictree_share_set(tree=tree, actor=actor, enabled=action == "share_on")
        messages.success(
            request,
            _("閲覧用リンクを発行しました。")
            if action == "share_on"
            else _("閲覧用リンクを停止しました。"),
        )
    else:
        raise Http404


# --- one node -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@staff_required
def node_detail(request: HttpRequest, code: str, tree_id: str, node_id: str) -> HttpResponse:
    municipality, tree = _tree(request, code, str(tree_id))
    document = tree_document(tree)
    try:
        node = document.node(node_id)
    except KeyError:
        raise Http404 from None
    can_edit = _can_edit(request, municipality)
    if request.method == "POST":
        if not can_edit:
            raise Http404
        target = _node_action(request, tree, node_id)
        return HttpResponseRedirect(target)
    current = kpi_current_values(municipality=municipality, refs=[k.ref for k in node.kpis])
    parents = [
        n for n in document.nodes if n.kind in ALLOWED_PARENTS[node.kind] and n.id != node.id
    ]
    child_kinds = [k for k in NodeKind if node.kind in ALLOWED_PARENTS[k]]
    catalog = kpi_catalog()
    groups: dict[str, list[Any]] = {}
    for option in catalog:
        groups.setdefault(option.group, []).append(option)
    context = {
        "nav_section": "logictrees",
        "municipality": municipality,
        "tree": tree,
        "node": node,
        "kind_label": KIND_LABELS[node.kind],
        "kpis": [
            (k, label, current.get(k.ref), unit) for k, label, unit in kpi_shown(node.kpis, catalog)
        ],
        "parents": parents,
        "child_kinds": [(k, KIND_LABELS[k]) for k in child_kinds],
        "children": document.children(node.id),
        "kpi_groups": groups,
        "departments": document.departments,
        "comments": tree.comments.filter(node_id=node.id).select_related("author"),
        "can_edit": can_edit,
        "wellbeing_choices": wellbeing_choices(),
    }
    return render(request, "logictrees/node_detail.html", context)


def _node_action(request: HttpRequest, tree: LogicTree, node_id: str) -> str:
    """Perform the posted node action; returns where to go next."""
    post = request.POST
    action = post.get("action", "")
    here = reverse("logictrees:node", args=[tree.municipality_id, tree.public_id, node_id])
    if action == "update":
        changes: dict[str, Any] = {
            "label": post.get("label", "").strip(),
            "department": post.get("department", "").strip(),
            "note": post.get("note", "").strip(),
        }
        if "parent" in post:
            changes["parent"] = post["parent"]
        if "wellbeing" in post:
            changes["wellbeing"] = post["wellbeing"]
        _apply(
            request,
            tree,
            lambda d: node_update(d, node_id, **changes),
            f"ノード {node_id} を編集",
            _("保存しました。"),
        )
        return here
    if action == "add_child":
        try:
            kind = NodeKind(post.get("kind", ""))
        except ValueError:
            messages.error(request, _("追加するノードの種類を選んでください。"))
            return here
        label = post.get("label", "").strip()
        new_ids: list[str] = []

        def add(d: TreeDocument) -> TreeDocument:
            document, new_id = node_add(
                d,
                parent=node_id,
                kind=kind,
                label=label,
                department=post.get("department", "").strip(),
            )
            new_ids.append(new_id)
            return document

        if _apply(
            request,
            tree,
            add,
            f"ノード {node_id} の下に「{label}」を追加",
            _("「%(label)s」を追加しました。") % {"label": label},
        ):
            return reverse(
                "logictrees:node", args=[tree.municipality_id, tree.public_id, new_ids[0]]
            )
        return here
    if action in ("move_up", "move_down"):
        offset = -1 if action == "move_up" else 1
        _apply(
            request,
            tree,
            lambda d: node_reorder(d, node_id, offset),
            f"ノード {node_id} の順序を変更",
            _("並び順を変更しました。"),
        )
        return here
    if action == "delete":
        if _apply(
            request,
            tree,
            lambda d: node_delete(d, node_id),
            f"ノード {node_id} を削除",
            _("ノードを削除しました。"),
        ):
            return _tree_url(tree)
        return here
    if action == "kpi_set":
        ref = post.get("ref", "")
        option = next((o for o in kpi_catalog() if o.ref == ref), None)
        if option is None:
            messages.error(request, _("KPI候補の一覧からKPIを選んでください。"))
            return here
        try:
            kpi = NodeKpi(
                ref=ref,
                label=option.label,
                baseline=_number(post.get("baseline", ""), _("基準値")),
                target=_number(post.get("target", ""), _("目標値")),
                target_year=_year(post.get("target_year", "")),
            )
        except DocumentError as exc:
            messages.error(request, _("保存できませんでした：") + "／".join(exc.problems))
            return here
        _apply(
            request,
            tree,
            lambda d: kpi_set(d, node_id, kpi),
            f"ノード {node_id} にKPI {ref}",
            _("KPI「%(label)s」を設定しました。") % {"label": option.label},
        )
        return here
    if action == "kpi_remove":
        ref = post.get("ref", "")
        _apply(
            request,
            tree,
            lambda d: kpi_remove(d, node_id, ref),
            f"ノード {node_id} からKPI {ref} を削除",
            _("KPIを外しました。"),
        )
        return here
    if action == "comment":
        try:
            node_comment_add(
                tree=tree, actor=_user(request), node_id=node_id, body=post.get("body", "")
            )
        except DocumentError as exc:
            messages.error(request, "／".join(exc.problems))
            return here
        messages.success(request, _("コメントを投稿しました。"))
        return here + "#comments"
    raise Http404


# --- versions, export, share ----------------------------------------------------------------


@require_GET
@staff_required
def tree_compare(request: HttpRequest, code: str, tree_id: str) -> HttpResponse:
    municipality, tree = _tree(request, code, str(tree_id))
    versions = {str(v.number): v for v in version_list(tree=tree)}

    def pick(key: str) -> tuple[str, TreeDocument]:
        value = request.GET.get(key, "current")
        if value == "current":
            return _("現在の内容"), tree_document(tree)
        version = versions.get(value)
        if version is None:
            raise Http404
        return _version_label(version.number, version.name), tree_document(version)

    before_label, before = pick("a")
    after_label, after = pick("b")
    context = {
        "nav_section": "logictrees",
        "municipality": municipality,
        "tree": tree,
        "versions": versions.values(),
        "a": request.GET.get("a", "current"),
        "b": request.GET.get("b", "current"),
        "before_label": before_label,
        "after_label": after_label,
        "diff": document_diff(before, after),
        "kind_labels": {str(k): v for k, v in KIND_LABELS.items()},
        "field_labels": {
            "label": _("名称"),
            "parent": _("つながる先（親）"),
            "department": _("担当課"),
            "note": _("メモ"),
            "wellbeing": _("Well-Being の指標"),
            "kpis": "KPI",
        },
    }
    return render(request, "logictrees/tree_compare.html", context)


def _export(tree: LogicTree, document: TreeDocument, image_format: str, label: str) -> HttpResponse:
    stem = f"logictree_{tree.municipality_id}_{tree.public_id.hex[:8]}"
    if image_format == "json":
        response: HttpResponse = JsonResponse(
            document_to_data(document), json_dumps_params={"ensure_ascii": False, "indent": 1}
        )
        response["Content-Disposition"] = f'attachment; filename="{stem}.json"'
        return response
    chosen = IMAGE_FORMATS.get(image_format)
    if chosen is None:
        raise Http404
    subtitle = f"{tree.municipality.name}　{label}"
    response = HttpResponse(
        tree_image(document, chosen, subtitle=subtitle), content_type=IMAGE_TYPES[chosen]
    )
    response["Content-Disposition"] = f'inline; filename="{stem}.{image_format}"'
    return response


@require_GET
@staff_required
def tree_export(request: HttpRequest, code: str, tree_id: str, image_format: str) -> HttpResponse:
    tree = _tree(request, code, str(tree_id))[1]
    number = request.GET.get("version")
    if number:
        version = tree.versions.filter(number=number if number.isdigit() else 0).first()
        if version is None:
            raise Http404
        return _export(
            tree, tree_document(version), image_format, _version_label(version.number, version.name)
        )
    return _export(tree, tree_document(tree), image_format, _("現在の内容"))


@require_GET
def shared_tree(request: HttpRequest, token: str) -> HttpResponse:
    """The read-only view behind a share link: no login, no forms, no comments."""
    tree = logictree_shared(token=str(token))
    if tree is None:
        raise Http404
    document = tree_document(tree)
    context = {
        "tree": tree,
        "municipality": tree.municipality,
        "token": token,
        **_tree_context(tree.municipality, tree, document),
    }
    return render(request, "logictrees/shared.html", context)


@require_GET
def shared_image(request: HttpRequest, token: str, image_format: str) -> HttpResponse:
    tree = logictree_shared(token=str(token))
    if tree is None:
        raise Http404
    return _export(tree, tree_document(tree), image_format, _("閲覧用"))


@require_GET
@staff_required
def index(request: HttpRequest) -> HttpResponse:
    """Entry from the navigation and the guide: straight to the user's municipality, or a choice."""
    municipalities = staff_municipalities(user=_user(request))
    if len(municipalities) == 1:
        return redirect("logictrees:list", code=municipalities[0].code)
    return render(
        request,
        "logictrees/index.html",
        {"nav_section": "logictrees", "municipalities": municipalities},
    )


@require_http_methods(["GET", "POST"])
@operator_required
def kpi_candidates(request: HttpRequest) -> HttpResponse:
    """運営者: the output and outcome KPIs offered to every municipality's trees."""
    if request.method == "POST":
        post = request.POST
        if post.get("action") == "toggle":
            candidate = KpiCandidate.objects.filter(code=post.get("code", "")).first()
            if candidate is None:
                raise Http404
            kpi_candidate_set_active(
                actor=_user(request), candidate=candidate, active=not candidate.is_active
            )
            messages.success(request, _("KPI候補を更新しました。"))
        else:
            try:
                candidate = kpi_candidate_create(
                    actor=_user(request),
                    code=post.get("code", ""),
                    name_ja=post.get("name_ja", ""),
                    kind=post.get("kind", ""),
                    unit=post.get("unit", ""),
                    description=post.get("description", ""),
                )
            except ValidationError as exc:
                problems = [
                    f"{field}: {' '.join(errors)}" for field, errors in exc.message_dict.items()
                ]
                messages.error(request, _("追加できませんでした：") + "／".join(problems))
            else:
                messages.success(
                    request, _("KPI候補「%(name)s」を追加しました。") % {"name": candidate.name_ja}
                )
        return redirect("logictrees:kpi_candidates")
    context = {
        "candidates": KpiCandidate.objects.order_by("kind", "code"),
        "kinds": KpiKind.choices,
    }
    return render(request, "logictrees/kpi_candidates.html", context)
