"""Weekly SLA report: history log -> step clocks -> metrics -> charts -> HTML / XLSX / email.

history.py  Riwayat rows -> typed events -> one row per visit and one row per step clock
metrics.py  per-step attainment, p50/p90, worst breaches, officers, heatmap, trend, quality
skm.py      SKM answers -> IKM per Permen PANRB 14/2017
charts.py   deterministic matplotlib PNGs
render.py   laporan.html (archive), the email body, laporan.xlsx
build.py    build_week_report / report_mail
synthetic.py  synthetic logs and SKM answers for tests and benchmarks
"""
