"""The FastAPI + PyJWT shape of the service auth-runtime replaces, for bench/load.sh
(WITH_FASTAPI=1): the same two routes as examples/bench_server.rs."""

import os

import jwt
from fastapi import FastAPI, Header, HTTPException

SECRET = os.environ["BETTER_AUTH_SECRET"]
app = FastAPI()


def tasks_of(user_id: str):
    return [{"id": 1, "title": "Write the benchmark", "description": None,
             "completed": False, "owner": user_id}]


@app.get("/protected/{user_id}/tasks")
async def protected(user_id: str, authorization: str | None = Header(default=None)):
    if not authorization or not authorization.lower().startswith("bearer "):
        raise HTTPException(401, "Not authenticated", headers={"WWW-Authenticate": "Bearer"})
    try:
        claims = jwt.decode(authorization[7:].strip(), SECRET, algorithms=["HS256"],
                            options={"require": ["exp"]})
    except jwt.PyJWTError:
        raise HTTPException(401, "Invalid token",
                            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    if claims.get("uid") != user_id:
        raise HTTPException(403, "Not allowed to access another user's resources")
    return tasks_of(user_id)


@app.get("/open/{user_id}/tasks")
async def open_route(user_id: str):
    return tasks_of(user_id)
