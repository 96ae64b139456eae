"""A minimal Flask application used as a pyimg lint example."""

from flask import Flask, jsonify


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/")
    def index():
        return jsonify(message="hello from a non-root container")

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    return app
