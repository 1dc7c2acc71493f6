"""The study's standard indicators: ITU household ICT (``itu``), e-government EG1-EG7, the
five stages and leadership (``egov``), and the one list of indicator sections (``sections``)."""
