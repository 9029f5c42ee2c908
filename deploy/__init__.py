"""Serving the app to a room (`python -m deploy.workshop`) and to a cluster (the Kustomize manifests beside it)."""
