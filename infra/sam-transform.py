"""Runs template.yaml through the real SAM transform (aws-sam-translator, the library
`sam build`/`sam deploy` and CloudFormation's AWS::Serverless transform run) and prints the
CloudFormation it produces, as JSON, on stdout.

    infra/.venv/bin/python infra/sam-transform.py [Name=Value ...]

Only the parameter values named on the command line are given to the translator, as when
CloudFormation's hosted transform runs without them: whatever the translator cannot resolve
stays an intrinsic function in the output. The artifacts `sam package` would upload are faked
in memory (each CodeUri becomes an S3 location); template.yaml itself is never changed. Nothing
here calls AWS: the managed-policy lookup the translator may ask for answers with no policies.
"""

import json
import sys
from pathlib import Path

from samcli.yamlhelper import yaml_parse
from samtranslator.translator.transform import transform

ROOT = Path(__file__).resolve().parent.parent


class NoManagedPolicies:
    """The translator asks IAM for AWS managed policies only when a function names one by
    name; the template names none, so the lookup must never be needed."""

    def load(self):
        return {}


def main(arguments):
    parameters = {}
    for argument in arguments:
        name, separator, value = argument.partition("=")
        if not separator:
            sys.exit(f"sam-transform: expected Name=Value, got {argument!r}")
        parameters[name] = value
    template = yaml_parse((ROOT / "template.yaml").read_text())
    for name, resource in template.get("Resources", {}).items():
        if resource.get("Type") == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = f"s3://sam-artifacts/{name}.zip"
    output = transform(template, parameters, NoManagedPolicies())
    json.dump(output, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
