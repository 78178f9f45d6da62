"""The summarizer's version, stored with every brief so a newer summarizer knows what to re-brief.

Bump it whenever a change would alter the briefs written for the same text.
"""

# 3: sentences, figures and actors ranked by scorers fitted on data (summarizer/weights/), every number
#    of the text a figure candidate, kinds checked against the text and a gazetteer.
SUMMARIZER_VERSION = "3"
