"""``foleyline jobs list|resume|cancel``: the server's jobs.

    foleyline jobs list [--unfinished]      id, state, shots done/failed, created
    foleyline jobs resume JOB               re-attach and finish a job (its takes stay on the server)
    foleyline jobs cancel JOB
"""

from __future__ import annotations

import argparse

from foleyline.plugin.text_table import text_table


EXAMPLES = (
    'foleyline jobs list --unfinished',
    'foleyline jobs resume job-1a2b3c4d5e6f',
    'foleyline jobs cancel job-1a2b3c4d5e6f',
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = sub.add_parser("list", help="the jobs")
    listing.add_argument("--unfinished", action="store_true", help="only jobs that did not finish")
    resume = sub.add_parser("resume", help="finish an interrupted job")
    resume.add_argument("job")
    cancel = sub.add_parser("cancel", help="stop a job")
    cancel.add_argument("job")
    for each in (listing, resume, cancel):
        each.add_argument("--server", default=None, help="HOST:PORT (default: FOLEYLINE_SERVER, else in-process on this store)")


def table(jobs) -> str:
    headers = ("job", "state", "shots", "done", "failed", "created")
    rows = [(j.job_id, j.state, str(j.shot_count), str(j.shots_done), str(j.shots_failed), j.created_at) for j in jobs]
    return text_table(headers, rows) if rows else "no jobs on the server"


def run(args: argparse.Namespace) -> int:
    from foleyline.plugin.commands.generate import ProgressBar, connect
    from foleyline.plugin.events import read_job

    with connect(args.server, []) as client:
        if args.action == "list":
            print(table(client.list_jobs(unfinished_only=args.unfinished)))
        elif args.action == "cancel":
            print(f"job {args.job}: {client.cancel_job(args.job)}")
        else:
            call = client.resume(args.job)
            try:
                job = read_job(call, on_event=ProgressBar())
            except KeyboardInterrupt:
                call.cancel()
                raise
            if job.failures:
                print(f"job {args.job}: {len(job.failures)} shot(s) failed: {'; '.join(job.failure_lines({}))}")
                return 1
    return 0
