"""notes: a Flask application factory."""

from flask import Flask, jsonify


def create_app():
    app = Flask(__name__)
    notes = []

    @app.get("/healthz")
    def healthz():
        return "ok\n"

    @app.get("/notes")
    def list_notes():
        return jsonify(notes)

    return app
