"""Reading plan files (YAML, XLSX, CSV) into a validated domain Plan, with every error located."""

from storage.plan_file.errors import PlanFileError, PlanFileInvalid
from storage.plan_file.load import load_plan_file, plan_to_document

__all__ = ["PlanFileError", "PlanFileInvalid", "load_plan_file", "plan_to_document"]
