"""Reading plan files (YAML, XLSX, CSV) into a validated domain Plan, with every error located."""

from storage.plan_file.errors import PlanFileError, PlanFileInvalid
from storage.plan_file.export import plan_to_document
from storage.plan_file.load import ReadPlan, load_plan_file, read_plan_file

__all__ = ["PlanFileError", "PlanFileInvalid", "ReadPlan", "load_plan_file", "plan_to_document", "read_plan_file"]
