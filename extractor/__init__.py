"""extractor: gene, chemical and disease mentions in figure captions and OCR text, as PFOCR records."""

__version__ = "0.1.0"
