"""Imports lighteval 0.13's metric code without its model stack (torch, transformers, …): those
packages are replaced by inert stubs. The timed code (CorpusLevelTranslationMetric,
bootstrap_stderr) is lighteval's, unchanged."""
import sys, types, importlib.abc, importlib.machinery
STUBBED = set()
class Any(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith('__'): raise AttributeError(name)
        return type(name, (), {"__init__": lambda self, *a, **k: None, "__call__": lambda self, *a, **k: None, "__getattr__": lambda self, n: None})
class StubLoader(importlib.abc.Loader):
    def create_module(self, spec): m = Any(spec.name); m.__path__ = []; return m
    def exec_module(self, module): pass
class StubFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split('.')[0] in STUBBED:
            return importlib.machinery.ModuleSpec(name, StubLoader(), is_package=True)
        return None
sys.meta_path.insert(0, StubFinder())
def load():
    for _ in range(100):
        try:
            from lighteval.metrics.metrics_corpus import CorpusLevelTranslationMetric
            from lighteval.metrics.utils.stderr import get_stderr_function
            from lighteval.metrics.sample_preparator import GenerativeCorpusMetricInput
            return CorpusLevelTranslationMetric, get_stderr_function, GenerativeCorpusMetricInput
        except ModuleNotFoundError as e:
            STUBBED.add(e.name.split('.')[0])
            for m in [m for m in sys.modules if m.startswith('lighteval')]:
                del sys.modules[m]
    raise RuntimeError("could not import lighteval")
