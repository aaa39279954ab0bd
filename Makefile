# shelfcheck — two commands on a fresh machine with only Python:
#   make demo   create the environment, check the bundled example catalogue, write the reports
#   make test   run the test suite
#   make lint   ruff and the import-layer contracts (pyproject.toml)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
OUT    ?= out

.PHONY: demo test bench bench-sandbox profile lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	@mkdir -p $(OUT)
	$(BIN)/python examples/make_images.py
	examples/seed_ledger.sh $(BIN)/shelfcheck $(OUT)/ledger.db
	$(BIN)/python examples/make_categories.py
	SHELFCHECK_DATA_DIR=$(OUT)/data $(BIN)/shelfcheck data import tiktok-categories examples/categories.json --shop sandbox
	@# Exit status 1 means "findings at error level" — expected for the example catalogue.
	SHELFCHECK_DATA_DIR=$(OUT)/data $(BIN)/shelfcheck check examples/catalog.csv --documents examples/documents.csv \
	  --shop examples/shop.yaml --inventory examples/platform_inventory.csv --db $(OUT)/ledger.db --as-of 2024-08-01 \
	  --format json --output $(OUT)/report.json; test $$? -le 1
	SHELFCHECK_DATA_DIR=$(OUT)/data $(BIN)/shelfcheck check examples/catalog.csv --documents examples/documents.csv \
	  --shop examples/shop.yaml --inventory examples/platform_inventory.csv --db $(OUT)/ledger.db --as-of 2024-08-01 \
	  --lang zh --format table --output $(OUT)/report-zh.txt; test $$? -le 1
	SHELFCHECK_DATA_DIR=$(OUT)/data $(BIN)/shelfcheck check examples/catalog.csv --documents examples/documents.csv \
	  --shop examples/shop.yaml --inventory examples/platform_inventory.csv --db $(OUT)/ledger.db --as-of 2024-08-01 \
	  --format html --output $(OUT)/report.html; test $$? -le 1
	SHELFCHECK_DATA_DIR=$(OUT)/data $(BIN)/shelfcheck check examples/catalog.csv --documents examples/documents.csv \
	  --shop examples/shop.yaml --inventory examples/platform_inventory.csv --db $(OUT)/ledger.db --as-of 2024-08-01 \
	  --format xlsx --output $(OUT)/catalog-checked.xlsx; test $$? -le 1
	SHELFCHECK_DATA_DIR=$(OUT)/data $(BIN)/shelfcheck check examples/catalog.csv --documents examples/documents.csv \
	  --shop examples/shop.yaml --inventory examples/platform_inventory.csv --db $(OUT)/ledger.db --as-of 2024-08-01; test $$? -le 1
	@echo
	@echo "Reports written to $(OUT)/: report.json, report-zh.txt (Chinese table), report.html (open it"
	@echo "in a browser), catalog-checked.xlsx (your sheet back with the findings)."

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests bench examples scripts
	PYTHONPATH=src $(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python bench/run.py

bench-sandbox: $(STAMP)
	$(BIN)/python bench/sandbox_load.py --requests 2000 --concurrency 32

profile: $(STAMP)
	$(BIN)/python -m pip install --quiet py-spy
	$(BIN)/python bench/profile.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache
