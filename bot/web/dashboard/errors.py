"""Error answers people can read: a Chinese page for the desk, JSON for the simulator's script and Open311."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger("minhu.dashboard")
# Werkzeug's own descriptions are English; these replace them where a view gave none of its own.
TITLES = {400: "请求有误", 401: "请先登录", 403: "没有权限", 404: "页面不存在", 405: "不支持这种请求",
          413: "内容太大", 429: "操作太频繁", 500: "系统出了点问题"}
HINTS = {400: "请刷新页面后再试一次。", 403: "这个页面需要相应的账号权限。", 404: "链接可能有误，或者内容已被删除。",
         405: "请从页面上的按钮操作。", 413: "请减少内容后再提交。", 429: "请稍等一会儿再试。",
         500: "请稍后再试；如果一直这样，请联系管理员。"}


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)


def _description(error: HTTPException) -> str:
    """The view's own (Chinese) description, or ours for the status when Werkzeug's English default is left."""
    default = type(error).description
    if error.description and error.description != default:
        return error.description
    return HINTS.get(error.code or 500, "")


def _http_error(error: HTTPException):
    code = error.code or 500
    title, hint = TITLES.get(code, error.name), _description(error)
    if request.blueprint == "open311" or request.path.startswith("/open311/"):
        return jsonify([{"code": code, "description": error.description or title}]), code  # GeoReport's format
    if request.path.startswith("/simulator/") or request.is_json or request.accept_mimetypes.best == "application/json":
        return jsonify({"error": f"{title}：{hint}" if hint else title}), code
    response = make_response(render_template("error.html", code=code, title=title, hint=hint), code)
    for name, value in error.get_headers():
        if name == "Allow":  # a 405 names the methods that would work
            response.headers[name] = value
    return response


def _unexpected(error: Exception):
    if isinstance(error, HTTPException):
        return _http_error(error)
    log.exception("dashboard request failed: %s %s", request.method, request.path)
    return _http_error(InternalServerError())
