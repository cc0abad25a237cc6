{{%AUTOESCAPE context="HTML"}}{{!
  The campaign report page (cli/campaign_report.cc fills it). ctemplate escapes every value for
  HTML (& < > " '); only PLOT, an SVG that gnuplot drew, is inserted as it is (:none).
}}<!doctype html><html><head><meta charset=utf-8><title>racefuzz campaign {{STARTED}}</title><style>
body{font-family:sans-serif;margin:24px;max-width:1150px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px;text-align:left}th{background:#f0f0f0}
.new{color:#b00;font-weight:bold}.unreproduced{color:#b00;font-weight:bold}.known{color:#666}.note{color:#666}
.plots{display:flex;flex-wrap:wrap;gap:8px}code{font-size:12px}
</style></head><body>
<h1>racefuzz campaign</h1>
<p>{{STARTED}} &rarr; {{FINISHED}}, commit <code>{{GIT_COMMIT}}</code>, budget {{TIME_BUDGET}}{{#INTERRUPTED}} <b>(interrupted: corpus and crashes kept)</b>{{/INTERRUPTED}}</p>
<p>{{CRASH_COUNT}} distinct crash signature(s) hit, <span class="{{NEW_CLASS}}">{{NEW_COUNT}} new</span>.</p>
<h2>Runs</h2>
<table><tr><th>target</th><th>build</th><th>seconds</th><th>execs</th><th>final exec/s</th><th>coverage</th><th>features</th><th>corpus before &rarr; after</th><th>crash files</th></tr>
{{#RUN}}<tr><td>{{TARGET}}</td><td>{{BUILD}}</td><td>{{SECONDS}}</td><td>{{EXECS}}</td><td>{{EXEC_PER_SEC}}</td><td>{{COV}}</td><td>{{FT}}</td><td>{{CORPUS_BEFORE}} &rarr; {{CORPUS_AFTER}}{{#MERGED}} (merged){{/MERGED}}</td><td>{{CRASH_FILES}}</td></tr>
{{/RUN}}</table>
<h2>Crashes</h2>
{{#NO_CRASH}}<p>none</p>{{/NO_CRASH}}
{{#CRASH}}<p><span class="{{VERDICT}}">{{VERDICT_LABEL}}</span> <code>{{ID}}</code> {{SUMMARY}}<br>
{{TARGET}} [{{BUILD}}], {{FILES}} file(s) this campaign, {{HITS}} in all, first seen {{FIRST_SEEN}}<br>
top frames: <code>{{FRAMES}}</code><br>
reproduce: <code>{{REPRO}}</code>{{#WARNING}}<br><b>{{TEXT}}</b>{{/WARNING}}</p>
{{/CRASH}}
<h2>Coverage and speed over the campaign</h2>
{{#PLOTS}}<h3>{{TARGET}}</h3><div class=plots>{{COV_PLOT:none}}{{SPEED_PLOT:none}}</div>
{{/PLOTS}}
<p class=note>The same data: report.json.</p></body></html>
