import json

from django.core.management.base import BaseCommand, CommandError

from network.finder import searching


class Command(BaseCommand):
    help = "Find partner organisations for a request in French, German, English or Luxembourgish."

    def add_arguments(self, parser):
        parser.add_argument("request")
        parser.add_argument("--country", default="", help="ISO code, e.g. LU")
        parser.add_argument("--town", default="")
        parser.add_argument("--sector", default="", help="a sector of activity, as in the registry")
        parser.add_argument("--people", default="", help="people served, as in the registry")
        parser.add_argument("--language", default="", help="a working language, e.g. de")
        parser.add_argument("--limit", type=int, default=10)
        parser.add_argument("--json", action="store_true", help="print a JSON list")

    def handle(self, *args, request, limit, **options):
        if not request.strip():
            raise CommandError("give a request, e.g. find_partners \"logement pour jeunes\"")
        if not 1 <= limit <= 100:
            raise CommandError("--limit is between 1 and 100")
        results = searching.find(
            request,
            limit=limit,
            country=options["country"],
            town=options["town"],
            sector=options["sector"],
            people=options["people"],
            language=options["language"],
        )
        if options["json"]:
            rows = [{k: r[k] for k in ("key", "name", "score", "why")} for r in results]
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not results:
            self.stdout.write("No organisation matches this request.")
        for rank, r in enumerate(results, start=1):
            self.stdout.write(f"{rank:2}. {r['name']} [{r['key']}] {r['score']:.3f}")
            self.stdout.write(f"    {r['why']}")
