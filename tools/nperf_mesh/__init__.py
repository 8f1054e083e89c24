"""nperf-mesh: nperf between every pair of nodes and pods of a cluster.

Modules, each with one job:
  endpoints  the nodes and the two ends (node side, pod side) each offers
  plan       which tests a mesh runs and the nperf command line of each
  results    one nperf -J document -> the CSV rows of its directions
  table      the CSV file: header, rows, resume after a kill
  matrix     the text matrix printed on stdout
  heatmap    the SVG picture of the same matrix
  runners    where a client runs: Kubernetes (kubectl exec) or network namespaces
  scheduler  runs the plan one (or K) at a time, with progress on a terminal
  mesh       a whole run: plan, resume, run, write
  cli        the command line
"""
