import time

from django.core.management.base import BaseCommand

from network.finder import dense, indexing


class Command(BaseCommand):
    help = "Compute the partner finder's vector of every organisation (unchanged ones skipped)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="recompute every vector")

    def handle(self, *args, force=False, **options):
        if dense.encoder() is None:
            self.stderr.write("The sentence encoder cannot be loaded: the finder stays lexical.")
            return
        start = time.perf_counter()

        def progress(done, total):
            self.stdout.write(f"  {done}/{total} organisations")

        count = indexing.index_all(progress=progress, force=force)
        self.stdout.write(f"{count} vectors computed in {time.perf_counter() - start:.1f} s")
