"""Demo mode's S3-compatible bucket: moto's S3 server, run here like the other simulators, with
the demo bucket made at start. It keeps what it holds in memory, for one run."""

import boto3

DEMO_BUCKET = "medianest-demo"
DEMO_ACCESS_KEY, DEMO_SECRET_KEY = "demo-access-key", "demo-secret-key"


def create_app():
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    return DomainDispatcherApplication(create_backend_app)


def make_bucket(url: str) -> None:
    boto3.client(
        "s3",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=DEMO_ACCESS_KEY,
        aws_secret_access_key=DEMO_SECRET_KEY,
    ).create_bucket(Bucket=DEMO_BUCKET)
