"""One Python worker of the shared-budget import: creates every order of a JSONL file, one at a
time, with the client built from the NARVAR_* environment (or, with --keywords, from the
same settings passed as keyword arguments). Prints {"imported": n, "failed": [...]}."""
import json
import os
import sys

import narvar


def client() -> narvar.Client:
    if "--keywords" not in sys.argv:
        return narvar.Client.from_env()
    env = os.environ
    return narvar.Client(
        env["NARVAR_ACCOUNT_ID"], env["NARVAR_AUTH_TOKEN"], base_url=env["NARVAR_BASE_URL"],
        rate_budget=env["NARVAR_RATE_BUDGET"], rate_budget_redis=env["NARVAR_RATE_BUDGET_REDIS"],
        rate_budget_workers=int(env["NARVAR_RATE_BUDGET_WORKERS"]),
    )


def main() -> None:
    imported, failed = 0, []
    with client() as c, open(sys.argv[1]) as lines:
        for line in lines:
            order = json.loads(line)
            try:
                c.orders.create(order)
                imported += 1
            except narvar.NarvarError as e:
                failed.append({"order_number": order["order_number"], "code": e.code, "message": str(e)})
    print(json.dumps({"imported": imported, "failed": failed}))


main()
